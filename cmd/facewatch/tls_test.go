package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var fingerprintRE = regexp.MustCompile(`fingerprint: ([0-9A-F]{2}(?::[0-9A-F]{2}){31})`)

// startLAN runs "facewatch serve -lan -classroom" on loopback (tests must
// not listen on a real network: -addr 127.0.0.1 makes the address given
// out the loopback one) and returns the printed URL and fingerprint.
func startLAN(t *testing.T) (url, fp string, stdout *syncBuffer) {
	t.Helper()
	saved := lanAddrs
	t.Cleanup(func() { lanAddrs = saved })
	lanAddrs = func() ([]netip.Addr, error) {
		t.Error("-lan with -addr 127.0.0.1 looked for network addresses")
		return nil, nil
	}
	url, _, out := startServeOut(t, "-lan", "-classroom", "-addr", "127.0.0.1:0", "-dir", builtSite(t))
	m := fingerprintRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no fingerprint printed:\n%s", out.String())
	}
	return url, m[1], out
}

// A real crypto/tls client against the certificate -lan makes: the server
// presents the certificate whose fingerprint it printed; trusting that one
// certificate (what a student does by accepting the browser's warning
// after comparing the fingerprint), a verifying client connects under the
// printed address, gets the pages with their headers, and the classroom's
// welcome carries the https join link and the same fingerprint. A name the
// certificate does not cover fails verification.
func TestServeLANHTTPS(t *testing.T) {
	url, fp, out := startLAN(t)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL %q, want https://127.0.0.1:…", url)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
	if !strings.Contains(out.String(), url+"teach") && !strings.Contains(out.String(), strings.TrimSuffix(url, "/")+"/teach") {
		t.Errorf("teacher address not printed:\n%s", out.String())
	}

	// What the browser sees before trusting anything.
	raw, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	certs := raw.ConnectionState().PeerCertificates
	raw.Close()
	if len(certs) != 1 {
		t.Fatalf("%d certificates presented, want 1", len(certs))
	}
	if got := Fingerprint(certs[0].Raw); got != fp {
		t.Fatalf("presented certificate's fingerprint %s, printed %s", got, fp)
	}
	if d := certs[0].NotAfter.Sub(certs[0].NotBefore); d > 26*time.Hour {
		t.Errorf("certificate valid for %v; it is for this run only", d)
	}

	pool := x509.NewCertPool()
	pool.AddCert(certs[0])
	verified := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	c, err := tls.Dial("tcp", host, verified)
	if err != nil {
		t.Fatalf("verified TLS to %s: %v", host, err)
	}
	if v := c.ConnectionState().Version; v < tls.VersionTLS12 {
		t.Errorf("TLS version %x", v)
	}
	c.Close()
	if _, err := tls.Dial("tcp", host, &tls.Config{RootCAs: pool, ServerName: "evil.example"}); err == nil {
		t.Error("a name outside the certificate verified")
	}
	if _, err := tls.Dial("tcp", host, &tls.Config{ServerName: "127.0.0.1"}); err == nil {
		t.Error("the self-made certificate verified against the system roots")
	}

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: verified}, Timeout: 10 * time.Second}
	res, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET / over https: %d", res.StatusCode)
	}
	checkHeaders(t, "https /", res.Header)
	// Plain http on the https port is not served as a page.
	if res, err := http.Get("http://" + host + "/"); err == nil {
		if res.StatusCode == 200 {
			t.Error("plain http answered 200 on the https port")
		}
		res.Body.Close()
	}

	d := websocket.Dialer{TLSClientConfig: verified, HandshakeTimeout: 5 * time.Second}
	ws, _, err := d.Dial("wss://"+host+"/classroom/ws", http.Header{"Origin": {strings.TrimSuffix(url, "/")}})
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"create"}`))
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var w struct{ Type, JoinURL, Cert string }
	if err := json.Unmarshal(b, &w); err != nil || w.Type != "welcome" {
		t.Fatalf("welcome: %s %v", b, err)
	}
	if !strings.HasPrefix(w.JoinURL, url+"classroom/join.html#") {
		t.Errorf("join URL %q, want it under %s", w.JoinURL, url)
	}
	if w.Cert != fp {
		t.Errorf("welcome's fingerprint %q, printed %q", w.Cert, fp)
	}
}

func TestServeLANNoAddress(t *testing.T) {
	saved := lanAddrs
	t.Cleanup(func() { lanAddrs = saved })
	lanAddrs = func() ([]netip.Addr, error) { return nil, nil }
	err := runServe(t.Context(), []string{"-lan", "-addr", ":0", "-dir", builtSite(t)}, io.Discard, io.Discard)
	if err != errNoLAN {
		t.Errorf("-lan without a network address: %v, want %v", err, errNoLAN)
	}
}

func TestReachable(t *testing.T) {
	in := []netip.Addr{
		netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("fe80::1"), netip.MustParseAddr("2001:db8::5"),
		netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("169.254.3.4"), netip.MustParseAddr("::1"),
		netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("::ffff:10.0.0.7"),
	}
	got := reachable(in)
	want := []string{"192.168.1.20", "10.0.0.7", "2001:db8::5"}
	if len(got) != len(want) {
		t.Fatalf("reachable = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("reachable[%d] = %v, want %s", i, got[i], want[i])
		}
	}
}

// setupTLS with -lan on every interface gives out the first network
// address, and the certificate names all of them.
func TestSetupTLSAddresses(t *testing.T) {
	saved := lanAddrs
	t.Cleanup(func() { lanAddrs = saved })
	lanAddrs = func() ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("2001:db8::7")}, nil
	}
	info, cfg, err := setupTLS(&net.TCPAddr{IP: net.IPv4zero, Port: 8443}, true, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if info.URL != "https://192.168.1.20:8443/" || !info.LAN || !info.Generated || !info.TLS {
		t.Errorf("info %+v", info)
	}
	leaf := cfg.Certificates[0].Leaf
	for _, name := range []string{"192.168.1.20", "2001:db8::7", "127.0.0.1", "localhost"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("certificate does not name %s: %v", name, err)
		}
	}
	if err := leaf.VerifyHostname("192.168.1.21"); err == nil {
		t.Error("certificate names an address it should not")
	}
	if got := Fingerprint(cfg.Certificates[0].Certificate[0]); got != info.Fingerprint || len(got) != 32*3-1 {
		t.Errorf("fingerprint %q / %q", got, info.Fingerprint)
	}
	// Without -lan, -cert or -key: plain http, no certificate.
	info, cfg, err = setupTLS(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, false, "", "")
	if err != nil || cfg != nil || info.TLS || info.URL != "http://127.0.0.1:8080/" {
		t.Errorf("plain: %+v %v %v", info, cfg, err)
	}
}

// -cert and -key serve a certificate from files (a real one in a school):
// the server presents exactly that certificate.
func TestServeCertFiles(t *testing.T) {
	cert, err := selfSigned(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	url, _, out := startServeOut(t, "-cert", certFile, "-key", keyFile, "-addr", "127.0.0.1:0", "-dir", builtSite(t))
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	if strings.Contains(out.String(), "made for this run") {
		t.Errorf("a given certificate described as made for this run:\n%s", out.String())
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	c, err := tls.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/"), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := Fingerprint(c.ConnectionState().PeerCertificates[0].Raw); got != Fingerprint(cert.Certificate[0]) {
		t.Errorf("served %s, want the file's %s", got, Fingerprint(cert.Certificate[0]))
	}
	// A -cert without -key is a usage error.
	if err := runServe(t.Context(), []string{"-cert", certFile, "-dir", builtSite(t)}, io.Discard, io.Discard); err != errUsage {
		t.Errorf("-cert alone: %v", err)
	}
}
