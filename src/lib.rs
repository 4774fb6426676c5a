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
//! writes the output folder. `render` hands each file to a [`output::Sink`] as it is
//! made: `build` gives it `write`'s staging folder, `serve` and the tests a collector in
//! memory, so they all share one code path ([`pipeline`]).
//!
//! # Floors
//!
//! Imports point down: a module uses modules of its own floor or lower, never higher,
//! and modules of one floor never use each other in a circle. Only `pipeline` runs the
//! stages in order; no stage calls the next. `tests/it/architecture.rs` reads this list
//! and fails on an import that breaks it.
//!
//! 5. cli
//! 4. serve
//! 3. pipeline
//! 2. validate, render, index, write, scaffold, gaps
//! 1. load, markdown, highlight, matcher, theme, i18n
//! 0. pattern, model, diag, fsutil, config, yaml, output, memo, timing, url, term, json_shape

// The library has no unsafe code; only the binary sets one allocator option (main.rs).
#![forbid(unsafe_code)]

// Floor 0: the plain model and what every stage shares.
pub mod config;
pub mod diag;
pub mod fsutil;
pub mod json_shape;
pub mod memo;
pub mod model;
pub mod output;
pub mod pattern;
pub mod term;
pub mod timing;
pub mod url;
pub mod yaml;

// Floor 1: reading the content, and the engines the stages use.
pub mod highlight;
pub mod i18n;
pub mod load;
pub mod markdown;
pub mod matcher;
pub mod theme;

// Floor 2: the stages, in pipeline order.
pub mod gaps;
pub mod index;
pub mod render;
pub mod scaffold;
pub mod validate;
pub mod write;

// Floor 3 and up: the pipeline, the dev server, the command line.
pub mod cli;
pub mod pipeline;
pub mod serve;
