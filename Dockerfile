# errkb in a container: `docker run --rm -v "$PWD:/site" --user "$(id -u):$(id -g)" IMAGE build`
# builds the knowledge base in the current folder (README "Deploying").
#
# Build stage: Alpine's Rust is a musl toolchain, so a plain release build is a static
# binary on amd64 and arm64 alike, with no cross compiler to set up. Final stage:
# distroless "static" (no shell, no libc; a passwd entry for its non-root user, time zone
# data); errkb carries its own CA roots for `match --catalog https://…`.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-alpine AS build
# musl-dev and gcc compile mimalloc and ring (C); the versions come with the Alpine
# release the Rust image is pinned to.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
# As the release archives: no debug line tables (Cargo.toml keeps them for profiling).
ENV CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=symbols
# .dockerignore lets in only what the build reads (the same files `cargo package` ships).
COPY . .
# The manifest and Cargo.lock first: a bad lock fails here, before minutes of compiling.
RUN cargo fetch --locked
RUN cargo build --release --locked --bin errkb \
    && install -D -m 0755 target/release/errkb /out/errkb \
    && /out/errkb --version

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="errkb" \
      org.opencontainers.image.description="A static site generator for error knowledge bases" \
      org.opencontainers.image.source="https://github.com/errkb/errkb" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --from=build /out/errkb /usr/local/bin/errkb
# distroless's "nonroot" user, by number so that Kubernetes runAsNonRoot can verify it.
USER 65532:65532
WORKDIR /site
ENTRYPOINT ["/usr/local/bin/errkb"]
CMD ["--help"]
