package align

// LandmarkCascades lists the lps cascade files the landmarks use, in the
// order pigo's examples run them. Only these need to be loaded (each is
// 737 KB), and only when Options.Landmarks is on.
var LandmarkCascades = []string{"lp46", "lp44", "lp42", "lp38", "lp312", "lp93", "lp84", "lp82", "lp81"}
