# Container image of vernemq-pubcomp-exporter.
#   docker build --network host -t vernemq-pubcomp-exporter .
# Built and run for real by tests/docker (see docs/deploy/README.md).

# Build stage: the same dependency script and the same CMake build as `make`, exporter only.
FROM debian:bookworm-slim AS build
WORKDIR /src
# The dependency layer depends on this script alone, so source edits do not reinstall packages.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh --build
COPY CMakeLists.txt ./
COPY src src
# src/sim embeds two captured VerneMQ pages at configure time.
COPY tests/fixtures tests/fixtures
# The build context has no .git: the revision for vmq_exporter_build_info comes in as an arg.
ARG VMQ_REVISION=unknown
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
          -DVMQ_BUILD_TESTS=OFF -DVMQ_BUILD_BENCH=OFF -DVMQ_GIT_REVISION="$VMQ_REVISION" >/dev/null \
 && cmake --build /build --target vernemq-pubcomp-exporter -j "$(nproc)" \
 && strip --strip-debug -o /vernemq-pubcomp-exporter /build/bin/vernemq-pubcomp-exporter

# Runtime stage: the shared libraries the binary links (checked with ldd by tests/docker),
# nothing else: no compiler, no shell tools beyond the base image, no curl.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libprometheus-cpp-core1.0 libcpp-httplib0.11 libyaml-cpp0.7 \
      libssl3 zlib1g libbrotli1 libcrypt1 libre2-9 libstdc++6 libgcc-s1 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin vmq-exporter
COPY scripts/docker-healthcheck.sh /usr/lib/vernemq-pubcomp-exporter/healthcheck
COPY config.yaml /etc/vernemq-pubcomp-exporter/config.yaml
COPY --from=build /vernemq-pubcomp-exporter /usr/bin/vernemq-pubcomp-exporter

# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
# The flag default --config.file=config.yaml then finds the packaged file even when CMD is
# replaced by other flags.
WORKDIR /etc/vernemq-pubcomp-exporter
EXPOSE 9742
# bash's /dev/tcp instead of curl (which would add about 10 MB of libraries); the script reads
# the listen address from the exporter's command line, so it follows --web.listen-address.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/lib/vernemq-pubcomp-exporter/healthcheck"]
ENTRYPOINT ["/usr/bin/vernemq-pubcomp-exporter"]
CMD ["--config.file=/etc/vernemq-pubcomp-exporter/config.yaml", "--web.listen-address=:9742"]
