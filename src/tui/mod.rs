//! `logseal tui`: inspect and verify a log at a terminal (issue 17). State, actions and
//! rendering are kept apart: [`app::App`] is the state, [`app::update`] the one function that
//! changes it (keys, resizes and the worker's replies are [`app::Event`]s; it returns
//! [`app::Effect`]s), [`render::render`] a pure function of the state. All reading is done by
//! a worker ([`source::serve`]) over a [`source::Source`]: a log directory through the
//! authenticated read layer ([`crate::inspect`]), or an evidence bundle
//! ([`bundle::BundleSource`]).
//!
//! Owns no terminal: the binary's `commands::tui` sets the terminal up (raw mode, alternate
//! screen, panic hook), maps its key events to [`app::Key`], runs the worker thread and draws.
//! Never prints, never reads the clock.

pub mod app;
pub mod bundle;
pub mod data;
pub mod describe;
pub mod items;
pub mod query;
pub mod render;
mod replies;
mod reveal;
pub mod source;
mod views;

pub use app::{App, Effect, Event, Key, Screen, update};
pub use render::render;
pub use replies::verified_for_tests;
