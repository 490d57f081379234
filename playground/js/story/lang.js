// lang.js — marks Korean phrases on the English page (the project's
// Korean names, "인공지능 식별추적 시스템", the laws' titles) with
// lang="ko", so screen readers pronounce them as Korean and the browser
// picks a Korean font. Runs after each language change.
const HANGUL = /[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]+(?:[\s·]+[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]+)*/g;

/** markLang wraps the Hangul runs of root's text in <span lang="ko"> on an English page. */
export function markLang(root, pageLang) {
  if (!root || pageLang === 'ko') return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement && !n.parentElement.closest('[lang="ko"]') && /[\u3131-\u318e\uac00-\ud7a3]/.test(n.nodeValue)
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const n of nodes) {
    const text = n.nodeValue;
    const parts = [];
    let last = 0;
    for (const m of text.matchAll(HANGUL)) {
      if (m.index > last) parts.push(document.createTextNode(text.slice(last, m.index)));
      const span = document.createElement('span');
      span.lang = 'ko';
      span.textContent = m[0];
      parts.push(span);
      last = m.index + m[0].length;
    }
    if (last < text.length) parts.push(document.createTextNode(text.slice(last)));
    n.replaceWith(...parts);
  }
}
