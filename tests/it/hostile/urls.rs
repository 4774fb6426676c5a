//! No URL that reaches a page, the feed, the sitemap or JSON-LD can run script; control characters.
