//! The session state machine and its connection driver, over a fake room
//! directory and a fake delivery: no socket, and tokio's clock paused so
//! the waits run in simulated time. The test plays the room: it reads the
//! room's inbox and answers through the endpoint the session attached.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use wordguess_game::Move;
use wordguess_protocol::{LineError, ResumeToken, RoomCode, ServerEvent};

use super::*;
use crate::delivery::fake::FakeDelivery;
use crate::directory::fake::FakeDirectory;
use crate::edge::admission::Gate;
use crate::edge::limits::Limits;
use crate::edge::outbox::{next_batch, Events};
use crate::persistence::NoStore;
use crate::support::ids::{ConnIds, NodeId};
use crate::support::metrics::Metrics;

/// A server context over fakes.
struct World {
    directory: Arc<FakeDirectory>,
    delivery: Arc<FakeDelivery>,
    context: Arc<ServerContext>,
}

fn world() -> World {
    let directory = Arc::new(FakeDirectory::default());
    let delivery = Arc::new(FakeDelivery::default());
    let context = Arc::new(ServerContext {
        limits: Limits::default(),
        directory: directory.clone(),
        delivery: delivery.clone(),
        records: Arc::new(NoStore),
        keeps_rooms: false,
        clustered: false,
        metrics: Arc::new(Metrics::default()),
        resume_grace: Duration::from_secs(120),
        shutdown: CancellationToken::new(),
        tasks: TaskTracker::new(),
        gate: Gate::new(100, 100),
        conn_ids: ConnIds::new(NodeId(9)),
    });
    World {
        directory,
        delivery,
        context,
    }
}

/// A session of a new connection, and the events it queued.
fn session(world: &World) -> (Session, Events) {
    let (outbox, events) = Outbox::new(64);
    let conn = world.context.next_conn_id();
    (
        Session::new(world.context.clone(), conn, outbox, Door::Tcp),
        events,
    )
}

/// Everything queued for the client so far.
async fn queued(events: &mut Events) -> Vec<ServerEvent> {
    let mut out = Vec::new();
    while !events.is_empty() {
        let mut batch = Vec::new();
        next_batch(events, &mut batch).await;
        out.extend(batch.into_iter().map(|event| (*event).clone()));
    }
    out
}

/// The text of every error queued for the client so far.
async fn errors(events: &mut Events) -> Vec<String> {
    queued(events)
        .await
        .into_iter()
        .filter_map(|event| match event {
            ServerEvent::Error { message } => Some(message),
            _ => None,
        })
        .collect()
}

/// Whether an error starting with `start` was queued for the client.
async fn told(events: &mut Events, start: &str) -> bool {
    errors(events).await.iter().any(|e| e.starts_with(start))
}

/// Plays the room: takes the next input and answers it with `signal`.
async fn answer(
    world: &World,
    inbox: &mut crate::directory::fake::FakeInbox,
    signal: Signal,
) -> RoomInput {
    let input = inbox.recv().await.expect("an input");
    let endpoint = world
        .delivery
        .endpoint(input.conn().expect("a connection"))
        .expect("attached");
    endpoint.signals.put(signal);
    input
}

fn seated(room: &RoomCode, name: &str) -> Signal {
    Signal::Seated {
        room: room.clone(),
        token: ResumeToken::from_bits(42),
        name: name.to_owned(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_name_takes_a_quick_match_seat_and_moves_go_to_that_room() {
    let world = world();
    let quick = world.directory.open_quick();
    let mut inbox = world.directory.inbox(&quick);
    let (mut session, mut events) = session(&world);
    assert_eq!(queued(&mut events).await, [ServerEvent::Welcome]);
    let (flow, input) = tokio::join!(
        session.on_line(Ok("alice".to_owned())),
        answer(&world, &mut inbox, seated(&quick, "alice")),
    );
    assert_eq!(flow, Flow::Continue);
    assert_eq!(
        input,
        RoomInput::Enter {
            conn: session.conn(),
            name: "alice".to_owned(),
            role: Role::Player,
            door: Door::Tcp,
        }
    );
    assert!(session.has_joined());
    session.on_line(Ok("/letter a".to_owned())).await;
    assert_eq!(
        inbox.recv().await,
        Some(RoomInput::Command {
            conn: session.conn(),
            command: RoomCommand::Play(Move::Letter("a".to_owned())),
        })
    );
    session.on_line(Ok("/join ABCDEF".to_owned())).await;
    assert!(told(&mut events, "you are already in room").await);
    session.close().await;
    assert_eq!(
        inbox.recv().await,
        Some(RoomInput::Gone {
            conn: session.conn()
        })
    );
    assert!(
        world.delivery.endpoint(session.conn()).is_none(),
        "the connection is detached"
    );
}

#[tokio::test(start_paused = true)]
async fn a_join_of_a_missing_room_refuses_the_next_name_then_quick_match_takes_one() {
    let world = world();
    let quick = world.directory.open_quick();
    let mut inbox = world.directory.inbox(&quick);
    let (mut session, mut events) = session(&world);
    session.on_line(Ok("/join ABCDEF".to_owned())).await;
    session.on_line(Ok("alice".to_owned())).await;
    let errors = errors(&mut events).await;
    assert!(
        errors[0].starts_with("there is no open room ABCDEF"),
        "{errors:?}"
    );
    assert!(errors[1].starts_with("room ABCDEF was not found, so 'alice' did not join"));
    assert!(!session.has_joined());
    let (_, input) = tokio::join!(
        session.on_line(Ok("alice".to_owned())),
        answer(&world, &mut inbox, seated(&quick, "alice")),
    );
    assert!(matches!(input, RoomInput::Enter { .. }));
    assert!(session.has_joined());
}

#[tokio::test(start_paused = true)]
async fn a_refused_name_frees_the_quick_match_seat_and_the_player_stays_choosing() {
    let world = world();
    let quick = world.directory.open_quick();
    let mut inbox = world.directory.inbox(&quick);
    let (mut session, _events) = session(&world);
    let _ = tokio::join!(
        session.on_line(Ok("alice".to_owned())),
        answer(&world, &mut inbox, Signal::Refused { retry: false }),
    );
    assert!(!session.has_joined());
    assert_eq!(world.directory.released(), [quick]);
}

#[tokio::test(start_paused = true)]
async fn a_room_that_never_answers_is_told_the_connection_went_and_the_player_is_told_why() {
    let world = world();
    let code = world.directory.open();
    let mut inbox = world.directory.inbox(&code);
    let (mut session, mut events) = session(&world);
    session.on_line(Ok(format!("/join {code}"))).await;
    let (flow, first) = tokio::join!(session.on_line(Ok("alice".to_owned())), inbox.recv());
    // Ten simulated seconds passed without an answer.
    assert!(matches!(first, Some(RoomInput::Enter { .. })));
    assert_eq!(
        inbox.recv().await,
        Some(RoomInput::Gone {
            conn: session.conn()
        })
    );
    assert_eq!(flow, Flow::Close);
    assert!(told(&mut events, "the server is busy").await);
}

#[tokio::test(start_paused = true)]
async fn an_entry_whose_answer_was_lost_on_the_way_is_sent_again() {
    let world = world();
    let quick = world.directory.open_quick();
    let mut inbox = world.directory.inbox(&quick);
    let (mut session, _events) = session(&world);
    let room = async {
        let first = answer(&world, &mut inbox, Signal::Missed).await;
        let second = answer(&world, &mut inbox, seated(&quick, "alice")).await;
        (first, second)
    };
    let (_, (first, second)) = tokio::join!(session.on_line(Ok("alice".to_owned())), room);
    assert_eq!(first, second, "the same entry, sent again");
    assert!(session.has_joined());
}

#[tokio::test(start_paused = true)]
async fn a_spectator_cannot_move_and_a_resume_goes_to_the_token_s_room() {
    let world = world();
    let code = world.directory.open();
    let mut inbox = world.directory.inbox(&code);
    let (mut watcher, mut events) = session(&world);
    watcher.on_line(Ok(format!("/watch {code}"))).await;
    let (_, input) = tokio::join!(
        watcher.on_line(Ok("carol".to_owned())),
        answer(&world, &mut inbox, Signal::Watching { room: code.clone() }),
    );
    assert!(matches!(
        input,
        RoomInput::Enter {
            role: Role::Spectator,
            ..
        }
    ));
    watcher.on_line(Ok("/letter a".to_owned())).await;
    assert!(told(&mut events, "spectators cannot move").await);

    let token = ResumeToken::from_bits(7);
    world.directory.add_token(token.clone(), &code);
    let (mut player, _events) = session(&world);
    let (_, input) = tokio::join!(
        player.on_line(Ok(format!("/resume {token}"))),
        answer(&world, &mut inbox, seated(&code, "alice")),
    );
    assert_eq!(
        input,
        RoomInput::Resume {
            conn: player.conn(),
            token,
            door: Door::Tcp
        }
    );
    assert!(player.has_joined());
}

#[tokio::test(start_paused = true)]
async fn new_then_a_name_makes_a_private_room_and_enters_it_as_its_first_player() {
    let world = world();
    let (mut session, mut events) = session(&world);
    session.on_line(Ok("/new".to_owned())).await;
    assert!(queued(&mut events).await.iter().any(|event| matches!(
        event,
        ServerEvent::Notice { message } if message.starts_with("A private room will be made")
    )));
    let name = session.on_line(Ok("alice".to_owned()));
    let room = async {
        // The room exists once the name has come.
        loop {
            if let Some(code) = world.directory.created().first() {
                let mut inbox = world.directory.inbox(code);
                return answer(&world, &mut inbox, seated(code, "alice")).await;
            }
            tokio::task::yield_now().await;
        }
    };
    let (_, input) = tokio::join!(name, room);
    assert!(matches!(
        input,
        RoomInput::Enter {
            role: Role::Player,
            ..
        }
    ));
    assert_eq!(world.directory.created().len(), 1);
    assert!(session.has_joined());
}

#[tokio::test(start_paused = true)]
async fn records_without_a_database_say_so() {
    let world = world();
    let (mut session, mut events) = session(&world);
    session.on_line(Ok("/top".to_owned())).await;
    assert!(errors(&mut events)
        .await
        .iter()
        .any(|e| e.contains("keeps no history or leaderboard")));
}

#[tokio::test(start_paused = true)]
async fn a_whole_conversation_runs_through_channels_from_hello_to_the_peer_leaving() {
    // The driver as a door uses it, with the socket replaced by channels
    // (axum's examples/testing-websockets): lines in, events out.
    let world = world();
    let quick = world.directory.open_quick();
    let mut inbox = world.directory.inbox(&quick);
    let (to_server, from_peer) = mpsc::channel::<Result<String, LineError>>(8);
    let (outbox, mut events) = Outbox::new(64);
    let (to_peer, mut received) = mpsc::unbounded_channel();
    let writer = tokio::spawn(async move {
        let mut batch = Vec::new();
        while next_batch(&mut events, &mut batch).await {
            for event in batch.drain(..) {
                let _ = to_peer.send((*event).clone());
            }
        }
    });
    let lines = tokio_stream_from(from_peer);
    let addr = "127.0.0.1:5000".parse().expect("an address");
    spawn_connection(
        world.context.clone(),
        Door::Ws,
        addr,
        outbox,
        writer,
        lines,
        (),
    );
    assert_eq!(received.recv().await, Some(ServerEvent::Welcome));
    to_server.send(Ok("alice".to_owned())).await.expect("open");
    let input = answer(&world, &mut inbox, seated(&quick, "alice")).await;
    assert!(matches!(input, RoomInput::Enter { door: Door::Ws, .. }));
    to_server.send(Ok("/who".to_owned())).await.expect("open");
    assert!(matches!(
        inbox.recv().await,
        Some(RoomInput::Command {
            command: RoomCommand::Who,
            ..
        })
    ));
    // Events from the room were lost on their way from another node: the
    // session takes its seat again, and the room sends the whole picture.
    let endpoint = world
        .delivery
        .endpoint(input.conn().expect("a connection"))
        .expect("attached");
    endpoint.signals.put(Signal::Missed);
    let again = answer(&world, &mut inbox, seated(&quick, "alice")).await;
    assert!(
        matches!(again, RoomInput::Resume { ref token, door: Door::Ws, .. } if *token == ResumeToken::from_bits(42)),
        "{again:?}"
    );
    drop(to_server);
    assert!(matches!(inbox.recv().await, Some(RoomInput::Gone { .. })));
    world.context.tasks.close();
    world.context.tasks.wait().await;
    assert!(
        world
            .delivery
            .endpoint(input.conn().expect("a connection"))
            .is_none(),
        "the closed connection is detached"
    );
}

/// A stream of the lines a channel receives.
fn tokio_stream_from(
    receiver: mpsc::Receiver<Result<String, LineError>>,
) -> impl futures_util::Stream<Item = Result<String, LineError>> + Unpin + Send + 'static {
    Box::pin(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|line| (line, receiver)) },
    ))
}
