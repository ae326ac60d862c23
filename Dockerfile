# syntax=docker/dockerfile:1
# modbot's image: a static Go binary on distroless (CA certificates, no shell, non-root).
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t modbot .
#   docker run --env-file modbot.env -p 9090:9090 modbot          # `run` is the default command
#   docker run --env-file modbot.env modbot check                 # any other subcommand

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# The context holds no env file or other secret: .dockerignore keeps them out (build_test.go checks).
COPY . .
# VERSION names the release (v1.2.3); without it `modbot version` says dev (no .git in the context).
ARG VERSION
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/modbot ./cmd/modbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/modbot /modbot
USER nonroot:nonroot
EXPOSE 9090
ENTRYPOINT ["/modbot"]
CMD ["run"]
# Exec form: the image has no shell. `healthcheck` asks /healthz on MODBOT_HTTP_ADDR (default :9090).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/modbot", "healthcheck"]
