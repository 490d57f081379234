package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// serveInfo is what "facewatch serve" tells its extensions about how it is
// reached: the address to print and put in join links, and the TLS
// certificate's fingerprint, if any. Extensions read it from their mount
// context with serveInfoFrom.
type serveInfo struct {
	URL         string // "http://127.0.0.1:8080/" or "https://192.168.1.20:8443/"
	TLS         bool
	Fingerprint string // SHA-256 of the certificate, "AB:CD:…"; empty without TLS
	Generated   bool   // the certificate was made for this run
	LAN         bool   // -lan: URL is a network address students can reach
}

type serveInfoKey struct{}

func serveInfoFrom(ctx context.Context) serveInfo {
	i, _ := ctx.Value(serveInfoKey{}).(serveInfo)
	return i
}

// errNoLAN is returned by -lan on a computer with no network address.
var errNoLAN = errors.New("no network address found: connect this computer to the school network (wifi or cable), or serve on this computer only without -lan")

// lanAddrs returns this computer's addresses that other devices on its
// network can reach. A variable so tests can give a fixed answer.
var lanAddrs = func() ([]netip.Addr, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				out = append(out, p.Addr())
			}
		}
	}
	return reachable(out), nil
}

// reachable keeps the addresses other devices can use, IPv4 first:
// no loopback, link-local, multicast or unspecified addresses.
func reachable(in []netip.Addr) []netip.Addr {
	var v4, v6 []netip.Addr
	for _, a := range in {
		a = a.Unmap()
		if !a.IsValid() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
			continue
		}
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	return append(v4, v6...)
}

// setupTLS decides how the server is reached. Without -lan, -cert or -key
// it is plain http on the listener's address. With -cert/-key it serves
// that certificate. With -lan it serves https and, without -cert, makes a
// certificate for this run: a new P-256 key, self-signed, valid for a day,
// naming this computer's network addresses, localhost and the loopback
// addresses; it is kept in memory only and never written to disk.
func setupTLS(ln net.Addr, lan bool, certFile, keyFile string) (serveInfo, *tls.Config, error) {
	info := serveInfo{URL: listenURL(ln)}
	if !lan && certFile == "" {
		return info, nil, nil
	}
	tcp, _ := ln.(*net.TCPAddr)
	port := 0
	if tcp != nil {
		port = tcp.Port
	}
	host := ""
	if tcp != nil && !tcp.IP.IsUnspecified() {
		a, _ := netip.AddrFromSlice(tcp.IP)
		host = a.Unmap().String()
	}
	var addrs []netip.Addr
	if lan {
		if host != "" {
			// Listening on one address: that is the one to give out (on
			// loopback, only this computer can connect, and the teacher's
			// page says so).
			addrs = []netip.Addr{netip.MustParseAddr(host)}
		} else {
			var err error
			if addrs, err = lanAddrs(); err != nil {
				return info, nil, fmt.Errorf("finding this computer's network addresses: %w", err)
			}
			if len(addrs) == 0 {
				return info, nil, errNoLAN
			}
			host = addrs[0].String()
		}
	}
	if host == "" {
		host = "localhost"
	}
	var cert tls.Certificate
	var err error
	if certFile != "" {
		cert, err = tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return info, nil, fmt.Errorf("loading -cert/-key: %w", err)
		}
	} else {
		cert, err = selfSigned(addrs, time.Now())
		if err != nil {
			return info, nil, err
		}
		info.Generated = true
	}
	info.TLS = true
	info.LAN = lan
	info.Fingerprint = Fingerprint(cert.Certificate[0])
	info.URL = "https://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/"
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
	return info, cfg, nil
}

// selfSigned makes a certificate for addrs, localhost and the loopback
// addresses, valid from an hour ago for a day.
func selfSigned(addrs []netip.Addr, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making a serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "facewatch classroom (this run only)", Organization: []string{"facewatch"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, a := range addrs {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(a.AsSlice()))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making the certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Fingerprint is the SHA-256 of a DER certificate as browsers show it:
// upper-case hex pairs separated by colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
