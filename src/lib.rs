//! errkb: a static site generator for error knowledge bases.
//!
//! The modules below are listed in pipeline order:
//!
//! ```text
//!  content/ ──load──▶ raw entries ──validate──▶ Site (typed model) ──render──▶ pages ─┐
//!  errkb.yaml ─┘          │                         │                                  ├─write──▶ public/
//!                   diagnostics ◀──────────────────┘   └──index──▶ search files ──────┘
//!                                                           │
//!                                        pattern engine ◀───┴── errkb match / explain
//! ```
//!
//! `load` is the only stage that reads the content tree and `write` the only one that
//! writes the output folder. `render` hands each file to a [`render::Sink`] as it is
//! made: `build` gives it `write`'s staging folder, `serve` and the tests a collector in
//! memory, so they all share one code path ([`pipeline`]).

pub mod cli;
pub mod config;
pub mod diag;
pub mod fsutil;
pub mod json_shape;
pub mod memo;
pub mod model;
pub mod term;
pub mod url;
pub mod yaml;

pub mod load;
pub mod validate;

pub mod pattern;

pub mod matcher;

pub mod highlight;
pub mod markdown;
pub mod theme;

pub mod render;

pub mod index;

pub mod write;

pub mod pipeline;

pub mod serve;
