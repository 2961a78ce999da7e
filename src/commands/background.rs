//! A server of this binary (`serve`, `witness serve`) run on its own thread of the process,
//! for the demo: its address once it listens, and how to stop it as a signal would.

use std::net::SocketAddr;
use std::sync::mpsc;

use anyhow::Context;
use tokio::sync::oneshot;

/// A server running on its own thread; dropping it stops it too.
pub(crate) struct Background<T> {
    /// `http://ADDR`, the address it listens on.
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<T>>>,
}

impl<T: Send + 'static> Background<T> {
    /// Run `serve` on a new thread: it gets a receiver that ends it (used or dropped) and a
    /// sender for the address it listens on. Returns once that address is known, or the
    /// error `serve` stopped with before it listened.
    pub(crate) fn start(
        what: &str,
        serve: impl FnOnce(oneshot::Receiver<()>, mpsc::Sender<SocketAddr>) -> anyhow::Result<T>
        + Send
        + 'static,
    ) -> anyhow::Result<Self> {
        let (stop, until) = oneshot::channel();
        let (ready, bound) = mpsc::channel();
        let thread = std::thread::spawn(move || serve(until, ready));
        match bound.recv() {
            Ok(addr) => Ok(Background {
                url: format!("http://{addr}"),
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(_) => Err(thread
                .join()
                .map_err(|_| anyhow::anyhow!("the {what} thread panicked"))?
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the {what} stopped before it listened"))),
        }
    }

    /// Stop it (what is in flight is answered first) and return what it returned.
    pub(crate) fn stop(mut self) -> anyhow::Result<T> {
        self.stop.take();
        self.thread
            .take()
            .context("stopped before")?
            .join()
            .map_err(|_| anyhow::anyhow!("the server thread panicked"))?
    }
}

impl<T> Drop for Background<T> {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
