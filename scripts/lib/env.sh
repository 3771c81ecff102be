# Sourced by the scripts: picks Java 25 and makes sure Maven is there.
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [[ ! -x "$JAVA_HOME/bin/java" ]]; then
    echo "Qubicle needs a Java 25 JDK at $JAVA_HOME (set JAVA_HOME_25 to another one)" >&2
    exit 2
fi
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
if ! command -v mvn >/dev/null; then
    apt-get install -y -q maven >/dev/null
fi
