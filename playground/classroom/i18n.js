// i18n.js — the classroom pages' words: every string shown on the teacher
// and join pages (and the guide, which imports this) lives in the page's
// i18n/<lang>.json, one file for all of a folder's pages so a term is
// translated once. It is the playground's own module (js/i18n.js), set to
// one message file and to keep the language for this tab.
import { configure } from '../js/i18n.js';

configure({ files: [''], store: 'facewatch.classroom.lang' });

export * from '../js/i18n.js';
