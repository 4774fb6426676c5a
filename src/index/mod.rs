//! Stage 4: the knowledge base as data. `api` writes the JSON API (`api/entries.json`,
//! `api/<tool>/<slug>.json`); `search` writes the split search index the site's search
//! box loads lazily; `tokenize` is the tokenizer both share with the browser.

pub mod api;
pub mod search;
mod search_files;
#[cfg(test)]
mod search_vectors;
pub mod tokenize;

pub use api::{API_VERSION, api};
