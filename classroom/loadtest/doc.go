// Package loadtest drives a classroom server over loopback with many
// rooms of real websocket clients and measures how fast broadcasts reach
// them. It is what "facewatch loadtest" and the package's benchmark run.
//
// Each room has a teacher and its students. Every student shares an
// embedding, then updates it at a steady pace; the teacher moves the
// class to a new scene every few seconds. Three latencies are measured,
// from the moment a client writes to the moment another (or the same)
// client has read the result:
//
//   - class: a student's update → the teacher's class view naming it
//   - scene: the teacher's scene message → each student's state with it
//   - ack: a student's update → that student's own state with the new rev
//
// The clients run in the same process as the server, so the CPU and
// memory figures include both sides. The run stops by itself.
package loadtest
