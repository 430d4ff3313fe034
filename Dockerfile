# syntax=docker/dockerfile:1
# The Sluice image for users who build with Docker (Jib builds the same image without a daemon:
# scripts/docker-build.sh). Build the jar first:
#   mvn -B -DskipTests -pl cli -am package && docker build -t sluice:0.1.0-SNAPSHOT .
# Run with the configuration mounted read-only and secrets from the environment or files:
#   docker run --read-only --tmpfs /tmp -v "$PWD/config:/config:ro" -v sluice-data:/var/lib/sluice \
#     -e SLUICE_MASTER_KEY -p 8080:8080 sluice:0.1.0-SNAPSHOT
ARG JRE_IMAGE=eclipse-temurin:17.0.15_6-jre-noble
FROM ${JRE_IMAGE}

ARG VERSION=0.1.0-SNAPSHOT
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Sluice" \
      org.opencontainers.image.description="Embeddable data-routing library: pull records from connectors, route them by rules, deliver them to destinations." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${JRE_IMAGE}"

# A fixed, non-root user (the same numbers as the Jib image and the Kubernetes manifests).
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/sluice --no-create-home --shell /usr/sbin/nologin sluice \
 && mkdir -p /config /var/lib/sluice \
 && chown 10001:10001 /var/lib/sluice

COPY --chmod=0644 cli/target/sluice.jar /opt/sluice/lib/sluice.jar
COPY --chmod=0755 deploy/docker/rootfs/opt/sluice/bin/healthcheck.sh /opt/sluice/bin/healthcheck.sh

# Nothing is written outside /tmp and /var/lib/sluice, so the root filesystem can be read-only
# (no hsperfdata files; temporary files in /tmp, a tmpfs or emptyDir). Secrets come from the
# environment (${env:NAME} in sluice.yaml) or from mounted files (${file:/run/secrets/NAME}).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -Djava.io.tmpdir=/tmp" \
    SLUICE_HEALTH_URL="http://127.0.0.1:8080/health/live"

USER 10001:10001
WORKDIR /var/lib/sluice
VOLUME ["/config", "/var/lib/sluice"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/opt/sluice/bin/healthcheck.sh"]

ENTRYPOINT ["java", "-jar", "/opt/sluice/lib/sluice.jar"]
CMD ["serve", "--config", "/config/sluice.yaml", "--port", "8080"]
