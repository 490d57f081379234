package classroom

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// bucket is a token bucket: it holds up to burst tokens and gains rate
// tokens per second; each allowed event takes one. The zero bucket is
// empty; callers start it full with fill.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) fill(now time.Time, burst float64) {
	b.tokens = burst
	b.last = now
}

// allow refills the bucket for the time since the last call and takes a
// token if there is one. A clock that goes backwards adds nothing.
func (b *bucket) allow(now time.Time, rate, burst float64) bool {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens += dt * rate
		if b.tokens > burst {
			b.tokens = burst
		}
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// full reports whether the bucket would be full at now, i.e. forgetting
// it changes nothing.
func (b *bucket) full(now time.Time, rate, burst float64) bool {
	return b.tokens+now.Sub(b.last).Seconds()*rate >= burst
}

// ipLimiter is a token bucket per client address, for join, resume and
// create attempts. IPv6 addresses are grouped by /64, since one host
// usually owns a whole /64. The table is capped: when it is full of
// addresses that are still limited, new addresses are refused too (the
// server is under a distributed attack and refusing joins is the safe
// answer).
type ipLimiter struct {
	mu    sync.Mutex
	rate  float64
	burst float64
	max   int
	m     map[string]*bucket
}

func newIPLimiter(rate float64, burst, max int) *ipLimiter {
	return &ipLimiter{rate: rate, burst: float64(burst), max: max, m: make(map[string]*bucket)}
}

func (l *ipLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[key]
	if !ok {
		if len(l.m) >= l.max {
			l.sweepLocked(now)
			if len(l.m) >= l.max {
				return false
			}
		}
		b = new(bucket)
		b.fill(now, l.burst)
		l.m[key] = b
	}
	return b.allow(now, l.rate, l.burst)
}

// sweep forgets addresses whose buckets have refilled.
func (l *ipLimiter) sweep(now time.Time) {
	l.mu.Lock()
	l.sweepLocked(now)
	l.mu.Unlock()
}

func (l *ipLimiter) sweepLocked(now time.Time) {
	for k, b := range l.m {
		if b.full(now, l.rate, l.burst) {
			delete(l.m, k)
		}
	}
}

func (l *ipLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// requestKey is the rate-limit key of a websocket request: clientKey of
// its peer address, except when the peer is one of the trusted proxies
// (Config.TrustedProxies, named by the operator; none by default) and the
// request carries X-Forwarded-For: then the last address in that header,
// the one the proxy itself saw. A proxy on the same machine is not trusted
// for being on the same machine: a TCP forwarder (ssh -L, stunnel, socat,
// HAProxy in TCP mode) is a loopback peer too, and passes on whatever
// header its client wrote.
func requestKey(r *http.Request, trusted []netip.Prefix) string {
	peer := clientKey(r.RemoteAddr)
	if len(trusted) == 0 {
		return peer
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return peer
	}
	ip := ap.Addr().Unmap()
	ok := false
	for _, p := range trusted {
		if p.Contains(ip) {
			ok = true
			break
		}
	}
	if !ok {
		return peer
	}
	xff := r.Header.Values("X-Forwarded-For")
	if len(xff) == 0 {
		return peer
	}
	parts := strings.Split(xff[len(xff)-1], ",")
	last := strings.TrimSpace(parts[len(parts)-1])
	if net.ParseIP(last) == nil {
		return peer
	}
	return clientKey(last)
}

// ParseTrustedProxies reads a comma-separated list of addresses and
// networks ("127.0.0.1", "10.0.0.0/8", "::1") for Config.TrustedProxies.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted proxy %q is not an address or network", ErrConfig, f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// clientKey is the rate-limit key for a remote address "host:port" (or a
// bare address): the IPv4 address, or the /64 prefix of an IPv6 address.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
