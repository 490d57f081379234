package track

// kf1 is a constant-velocity Kalman filter on one coordinate: state (position,
// velocity), covariance P = [[p00, p01], [p01, p11]]. The tracker runs four of
// them per track (centre x, centre y, width, height). Keeping the axes
// independent makes every step a handful of scalar operations with no matrix
// code, and it is what the usual box trackers (SORT, DeepSORT) amount to as
// their noise matrices are diagonal.
type kf1 struct {
	x, v          float64
	p00, p01, p11 float64
}

// init starts the filter at position z with measurement variance r and an
// uncertain velocity of variance vv.
func (f *kf1) init(z, r, vv float64) {
	*f = kf1{x: z, p00: r, p11: vv}
}

// predict moves the state forward by dt seconds under a white-noise
// acceleration model of spectral density q (units²/s³).
func (f *kf1) predict(dt, q float64) {
	if dt <= 0 {
		return
	}
	f.x += f.v * dt
	// P = F P Fᵀ + Q with F = [[1, dt], [0, 1]],
	// Q = q [[dt³/3, dt²/2], [dt²/2, dt]].
	dt2 := dt * dt
	p00 := f.p00 + 2*dt*f.p01 + dt2*f.p11 + q*dt2*dt/3
	p01 := f.p01 + dt*f.p11 + q*dt2/2
	p11 := f.p11 + q*dt
	f.p00, f.p01, f.p11 = p00, p01, p11
}

// correct folds in a measurement z of variance r.
func (f *kf1) correct(z, r float64) {
	s := f.p00 + r
	if s <= 0 {
		return
	}
	k0, k1 := f.p00/s, f.p01/s
	y := z - f.x
	f.x += k0 * y
	f.v += k1 * y
	p00 := (1 - k0) * f.p00
	p01 := (1 - k0) * f.p01
	p11 := f.p11 - k1*f.p01
	f.p00, f.p01, f.p11 = p00, p01, p11
}
