# Airlock container image.
#
#   docker build -t airlock .                      # builds the jar inside (needs a registry for the bases)
#   docker build -t airlock --build-arg PREBUILT_JAR=true \
#       --build-arg BUILD_IMAGE=<local jre base> --build-arg RUNTIME_IMAGE=<local jre base> .
#                                                   # uses proxy/target/airlock.jar built on the host
#
# The base images are build arguments so the image also builds where no container registry is
# reachable: .ci/build-image.sh makes a Debian base with debootstrap and passes it here.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
ARG PREBUILT_JAR=false
WORKDIR /src
COPY . .
RUN if [ "$PREBUILT_JAR" = "true" ]; then \
      test -f proxy/target/airlock.jar || { echo "PREBUILT_JAR=true but proxy/target/airlock.jar is missing: run 'mvn -B -DskipTests package' first" >&2; exit 1; }; \
    else \
      mvn -B -q -DskipTests -pl proxy -am package; \
    fi \
 && cp proxy/target/airlock.jar /airlock.jar

FROM ${RUNTIME_IMAGE}
ARG AIRLOCK_UID=10001
# A fixed numeric uid so a mounted data directory can be chowned to it on the host.
RUN groupadd --system --gid "${AIRLOCK_UID}" airlock \
 && useradd --system --uid "${AIRLOCK_UID}" --gid airlock --home-dir /var/lib/airlock --shell /usr/sbin/nologin airlock \
 && mkdir -p /var/lib/airlock /opt/airlock \
 && chown airlock:airlock /var/lib/airlock
COPY --from=build /airlock.jar /opt/airlock/airlock.jar

ENV AIRLOCK_DATA_DIR=/var/lib/airlock \
    AIRLOCK_PORT=8080 \
    AIRLOCK_BIND=0.0.0.0 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError"
VOLUME ["/var/lib/airlock"]
EXPOSE 8080
USER airlock
WORKDIR /var/lib/airlock

# bash's /dev/tcp instead of curl: the runtime base needs nothing but a JRE and bash.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${AIRLOCK_PORT:-8080} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200'"]

ENTRYPOINT ["java", "-jar", "/opt/airlock/airlock.jar"]
CMD ["serve"]
