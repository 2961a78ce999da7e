pub mod account;
pub mod show;
