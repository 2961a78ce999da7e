//! `logseal witness serve`: the C2SP tlog-witness HTTP interface (`POST /add-checkpoint`)
//! around [`logseal::serve::witness::add_checkpoint`]. One lock over the witness's state:
//! checking a request's old size and storing the advanced state are one step, and the state
//! is durable (written, synced, renamed, directory synced) before the cosignature is
//! answered, as the spec requires. Refusals that are evidence against a log (a split view, a
//! history that does not extend) keep both checkpoints under DIR/evidence/.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use logseal::cli::WitnessServeArgs;
use logseal::log::BLAKE3_ORIGIN_SUFFIX;
use logseal::note::{Ed25519NoteKey, NoteVerifier};
use logseal::serve::witness::{Answer, MAX_BODY, SIZE_CONTENT_TYPE, ServedLog, add_checkpoint};
use logseal::tree::TreeHashAlg;
use logseal::verify::witness::{WitnessKey, WitnessState};

use super::files;
use super::log::now_secs;
use super::record::{read_signer, read_verifier};
use super::verify::write_atomic;
use super::witness::{WITNESS_STATE_FILE, keep_evidence};

struct Witness {
    key: Ed25519NoteKey,
    logs: Vec<ServedLog>,
    dir: PathBuf,
    state: Mutex<WitnessState>,
    /// Inside another command (the demo): no line per request on standard error.
    quiet: bool,
}

pub fn run(args: WitnessServeArgs) -> anyhow::Result<()> {
    serve_until(args, None, None)?;
    eprintln!("stopped");
    Ok(())
}

/// Serve until SIGINT or SIGTERM, or until `until` is used or dropped.
fn serve_until(
    args: WitnessServeArgs,
    until: Option<oneshot::Receiver<()>>,
    ready: Option<std::sync::mpsc::Sender<std::net::SocketAddr>>,
) -> anyhow::Result<()> {
    let key = read_signer(&args.key)?;
    let mut logs = Vec::new();
    for p in &args.log_key {
        let verifier = read_verifier(p)?;
        let alg = if verifier.name().ends_with(BLAKE3_ORIGIN_SUFFIX) {
            TreeHashAlg::Blake3
        } else {
            TreeHashAlg::Sha256
        };
        anyhow::ensure!(
            !logs
                .iter()
                .any(|l: &ServedLog| l.verifier.name() == verifier.name()),
            "{}: a second key for log {:?}",
            p.display(),
            verifier.name()
        );
        logs.push(ServedLog { verifier, alg });
    }
    let state_path = args.state.join(WITNESS_STATE_FILE);
    let state = if state_path.is_file() {
        WitnessState::from_json(&files::read(&state_path)?)
            .with_context(|| format!("{}", state_path.display()))?
    } else {
        std::fs::create_dir_all(&args.state)
            .with_context(|| format!("cannot create {}", args.state.display()))?;
        WitnessState::default()
    };
    let witness = Arc::new(Witness {
        key,
        logs,
        dir: args.state.clone(),
        state: Mutex::new(state),
        quiet: ready.is_some(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the witness's runtime")?;
    runtime.block_on(serve(witness, args.listen, until, ready))?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// `logseal witness serve` on its own thread of this process (the demo), listening on
/// `args.listen` (port 0: any free one), saying nothing on standard error; returns once it
/// accepts connections. Dropping it stops the witness.
pub(crate) fn start_in_background(
    args: WitnessServeArgs,
) -> anyhow::Result<super::background::Background<()>> {
    super::background::Background::start("witness", move |until, ready| {
        serve_until(args, Some(until), Some(ready))
    })
}

async fn serve(
    witness: Arc<Witness>,
    addr: std::net::SocketAddr,
    until: Option<oneshot::Receiver<()>>,
    ready: Option<std::sync::mpsc::Sender<std::net::SocketAddr>>,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    let signals = match until {
        Some(_) => None,
        None => Some((
            signal(SignalKind::interrupt()).context("SIGINT handler")?,
            signal(SignalKind::terminate()).context("SIGTERM handler")?,
        )),
    };
    match ready {
        Some(ready) => {
            let _ = ready.send(bound);
        }
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "witness {} listening on http://{bound} (POST /add-checkpoint)",
                witness.key.verifier().name()
            )?;
            out.flush()?;
        }
    }
    let router = axum::Router::new()
        .fallback(handle)
        .with_state(witness)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY));
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            match (signals, until) {
                (Some((mut int, mut term)), _) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                (None, Some(rx)) => {
                    let _ = rx.await;
                }
                (None, None) => {}
            }
        })
        .await
        .context("the witness server failed")
}

async fn handle(State(w): State<Arc<Witness>>, req: Request) -> Response {
    if req.uri().path() != "/add-checkpoint" {
        return plain(StatusCode::NOT_FOUND, "not found\n".into());
    }
    if req.method() != axum::http::Method::POST {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n".into(),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let body = match axum::body::to_bytes(req.into_body(), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body exceeds {MAX_BODY} bytes\n"),
            );
        }
    };
    match tokio::task::spawn_blocking(move || decide(&w, &body)).await {
        Ok(r) => r,
        Err(e) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the request failed: {e}\n"),
        ),
    }
}

/// Decide under the state lock; store the advanced state durably before answering.
fn decide(w: &Witness, body: &[u8]) -> Response {
    let mut state = w.state.lock().unwrap_or_else(|p| p.into_inner());
    let name = w.key.verifier().name().to_string();
    let key = WitnessKey {
        name: &name,
        key: w.key.secret_key(),
    };
    let now = now_secs();
    match add_checkpoint(&state, &w.logs, body, &key, now) {
        Answer::Cosigned {
            lines,
            state: next,
            origin,
            size,
            first_use,
        } => {
            if let Err(e) = write_atomic(&w.dir, WITNESS_STATE_FILE, &next.to_json()) {
                return plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot store the witness state; not cosigned: {e:#}\n"),
                );
            }
            *state = next;
            let first = if first_use { " (first use)" } else { "" };
            if !w.quiet {
                eprintln!("cosigned {origin} at size {size}{first}");
            }
            plain(StatusCode::OK, lines)
        }
        Answer::Refused {
            status,
            content_type,
            body: text,
            origin,
            evidence,
        } => {
            let mut message = text;
            if let (Some(old), Some(origin)) = (evidence, origin.as_deref()) {
                let checkpoint = checkpoint_part(body);
                match keep_evidence(&w.dir, origin, now, &old, checkpoint) {
                    Ok(_) if w.quiet => {}
                    Ok((o, n)) => eprintln!(
                        "refused {origin} ({status}); evidence kept: {} and {}",
                        o.display(),
                        n.display()
                    ),
                    Err(e) => eprintln!("refused {origin} ({status}); evidence NOT kept: {e:#}"),
                }
            } else if let Some(origin) = origin.filter(|_| !w.quiet) {
                if content_type == SIZE_CONTENT_TYPE {
                    eprintln!(
                        "{origin}: the request's old size is not the size held ({}): 409",
                        message.trim_end()
                    );
                } else {
                    eprintln!("refused {origin} ({status}): {}", message.trim_end());
                }
            }
            if status == 500 {
                message = format!("witness error: {message}");
            }
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Response::builder()
                .status(code)
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(message))
                .expect("a valid response")
        }
    }
}

/// The checkpoint of an add-checkpoint body (after the first empty line).
fn checkpoint_part(body: &[u8]) -> &[u8] {
    body.windows(2)
        .position(|w| w == b"\n\n")
        .map_or(body, |i| &body[i + 2..])
}

fn plain(code: StatusCode, body: String) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}
