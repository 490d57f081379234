// Package classroom is the optional classroom server: a teacher opens a
// room, students join it from their own devices with a short code and a
// nickname, and those who opt in share the 128 numbers of their face
// embedding (never an image) so that the class can see, on the teacher's
// projector, how often different people "match".
//
// It owns the rooms (in memory only), the join codes, the websocket
// protocol and its validation, and the limits that keep one misbehaving
// client from hurting anyone else. It does not serve the pages (the site
// does, from playground/classroom) and it computes nothing about a face
// but distances between embeddings: no emotion, attention, age or gender
// inference, ever.
//
// # Design
//
// One goroutine owns each room's state (the hub of gorilla/websocket's chat
// example); each connection has a read pump and a write pump. The room
// never blocks on a client: events go into a bounded queue per connection
// (a full queue means the client does not read, and it is disconnected),
// and snapshots (the teacher's class view, a student's state) go into a
// one-slot mailbox that only ever holds the newest, so a slow projector
// skips stale matrices instead of falling behind.
//
// # Protocol
//
// Every message, both ways, is one JSON object in one websocket text
// frame, with "v":1 and a "type". Client messages are validated strictly
// by Decode: unknown types, unknown or missing fields, null values, an
// embedding that is not exactly 128 finite numbers, a message over
// MaxMessageBytes all get an error reply (or, for size and flooding, the
// connection is closed), never a crash.
//
//	client → server
//	  {"v":1,"type":"create"}                               teacher opens a room
//	  {"v":1,"type":"join","code":"ABCD-EFGH","nick":"Mina"} student joins
//	  {"v":1,"type":"resume","token":"…"}                    either role reconnects
//	  {"v":1,"type":"share","embedding":[128 numbers]}       student opts in (or updates)
//	  {"v":1,"type":"withdraw"}                              student erases their numbers
//	  {"v":1,"type":"leave"}                                 student leaves; erased
//	  {"v":1,"type":"lock","locked":true}                    teacher: no new joins
//	  {"v":1,"type":"remove","id":"s3"}                      teacher removes a student
//	  {"v":1,"type":"scene","scene":"matrix"}                teacher moves the class on
//	  {"v":1,"type":"end"}                                   teacher ends; all erased
//	  {"v":1,"type":"gate","code":"ABCD-EFGH"}               a device joins as a gate camera
//	  {"v":1,"type":"assign","id":"g1","gate":"A"}           teacher: that device is gate A, B or C
//	  {"v":1,"type":"watch","on":true}                       gate: its operator opts in (false: stops)
//	  {"v":1,"type":"seen","embedding":[128 numbers]}        gate: the numbers of a face it saw
//	  {"v":1,"type":"notme","sighting":"x4"}                 student: that sighting was not me
//	  {"v":1,"type":"remove","id":"g1"}                      teacher removes a gate device
//	  {"v":1,"type":"leave"}                                 a gate device leaves too
//
//	server → client
//	  welcome  role ("teacher", "student" or "gate"), code, display code,
//	           resume token; the teacher also gets joinURL, qr (a data: URL
//	           PNG), cert (the TLS certificate's SHA-256 fingerprint, when
//	           there is one), scenes, gates and limits; a student gets their
//	           id and nickname; a gate its id and the gates
//	  class    teacher only: code, locked, scene, changed (id whose numbers
//	           just changed), students [{id, nick, shared, away}],
//	           matrix {ids, d}: d is the upper triangle of the Euclidean
//	           distance matrix between the students in ids, row by row,
//	           each rounded down to a multiple of Config.Bin (0.05), or
//	           null for a pair withheld by Config.MaxCompared;
//	           gates [{id, gate, on, away}]; each student also has journey
//	           [{id, gate, t (Unix ms), d (binned like the matrix), notMe}]
//	  state    student only: scene, locked, students (count), sharing
//	           (count), you {id, nick, shared, rev, journey (their own)}
//	  gatestate gate only: id, gate ("" until the teacher chooses), on,
//	           scene, sent (faces taken): the same whether a face matched
//	           anyone or no one
//	  error    code (see ErrCode…), about (the refused type), msg
//	  ended    reason (see Ended…); the server then closes the connection
//
// The protocol grows by types, not by fields of old ones: a new kind of
// member (gate cameras, as above) gets its own hello type and its own message
// types in typeFields, its own role in welcome and its own snapshot, and
// Decode keeps refusing what it does not know, so a client newer than its
// server gets a clear error instead of being half understood. Whatever a
// new member adds to the class view must go through the same limits as
// shares (Plausible, Config.MaxCompared, Config.Bin).
//
// The scene message is how the class moves together: the teacher sends
// {"type":"scene"}, and every student's next state carries the new scene,
// which their page follows (see Scenes for the names and order).
//
// # Who receives what
//
// Data minimisation decides every field:
//
//   - The server holds, per student: nickname, a random resume token, and
//     the embedding only after opt-in. It writes nothing to disk and logs
//     nothing about rooms, nicknames or embeddings.
//   - The teacher receives nicknames, who shares, and pairwise distances,
//     coarse (Config.Bin) and few per student (Config.MaxCompared, with
//     Config.MaxShares and Config.MaxJoins), so that no one watching the
//     class view can solve for a student's numbers: exact distances to
//     chosen vectors would give them away (docs/classroom.md, "Threat
//     model"). Never an embedding. A share must be Plausible.
//   - A student receives the scene, the lock, two counts and their own
//     status. Never another student's nickname, embedding or distance;
//     what the class sees together is on the projector.
//   - Withdrawing zeroes and forgets the embedding and every distance
//     computed from it, and at once sends every screen a new snapshot
//     without them. Leaving or being removed erases the student. A student
//     whose connection drops stays (with their consent and numbers) for
//     Config.ResumeWindow, a minute by default, and is then erased.
//   - A gate device (a phone or laptop that joined with TypeGate and that
//     the teacher made gate A, B or C) sends, once its operator opts in
//     (TypeWatch), the numbers of the faces it sees, never an image. Each is
//     Plausible or refused, and compared with the shares only: the nearest
//     share under Threshold becomes a sighting of that student {gate, time,
//     distance binned by Config.Bin}, which spends one of the student's
//     Config.MaxCompared comparisons; a face that matches no one is zeroed
//     in the same step and never stored or forwarded. The gate receives
//     nothing about the result. Faces are limited per gate
//     (Config.GateRate, Config.GateBurst) and per room (Config.MaxGateSeen);
//     a student seen again at the same gate within Config.SightingGap keeps
//     one sighting. Withdrawing, leaving and being removed erase a
//     student's journey; a student may mark a sighting "that wasn't me"
//     (TypeNotMe), which the teacher sees as a misidentification.
//   - Ending the session, the idle timeout, the teacher not coming back
//     within Config.TeacherGrace, and Shutdown erase the whole room,
//     journeys and gates included.
//
// # Abuse
//
// CheckOrigin admits only pages of the same host (a request without an
// Origin header is refused too). Each connection has a read limit, write
// deadlines, ping/pong, and a token bucket on messages and pings (flooding
// closes it). Before its first create, join, gate or resume a connection has a
// fixed deadline that nothing it sends extends, a few refusals, and a
// place among Config.MaxPendingPerAddr per address. Join, resume and create
// attempts share a token bucket per address (IPv6 by /64; behind a proxy
// named in Config.TrustedProxies, the address it puts last in
// X-Forwarded-For; no proxy is trusted by default), sized so that a class
// behind one school NAT can join at once, and a wrong code, an expired
// code and a locked room get byte-for-byte the same answer. Rooms (in all
// and per address), students and joins per room, and connections are
// capped. Nicknames are NFKC, refused when invisible or made of marks,
// and unique by NickSkeleton. Join codes are 8 symbols of CodeAlphabet from crypto/rand;
// the clock and the random source are injectable for tests.
package classroom
