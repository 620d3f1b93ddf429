# syntax=docker/dockerfile:1
#
# briefbot as a container: a static binary (pure-Go SQLite, no cgo) on a
# distroless base that holds CA certificates and time zones, run as a
# non-root user, with the database in the /data volume.
#
#   docker build -t briefbot .
#   docker run -d --name briefbot --read-only --tmpfs /tmp \
#     -e DISCORD_TOKEN=... -v briefbot-data:/data -p 127.0.0.1:9090:9090 briefbot
#
# Without DISCORD_TOKEN the bot runs the console on stdin: use
# `docker run -it` for that, or compose.yaml for the bot.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary that needs no libc in the image;
# timetzdata embeds the time zones in case the base image lacks them.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/briefbot . \
    && mkdir -p /out/data

# distroless/static: CA certificates, /etc/passwd with nonroot (65532),
# tzdata, /tmp; no shell and no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/briefbot /usr/local/bin/briefbot
# The volume's mount point, owned by the user the bot runs as, so a new
# named volume starts writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATABASE_PATH=/data/briefbot.db \
    HTTP_ADDR=:9090
VOLUME ["/data"]
USER 65532:65532
EXPOSE 9090
# No curl in the image: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/briefbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/briefbot"]
