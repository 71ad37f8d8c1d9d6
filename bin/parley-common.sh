# Shared by bin/parley and bin/parleyctl: builds the engine when needed and sets PARLEY_CP.
# A PARLEY_CP given in the environment is used as it is, without building (tests that run the
# scripts inside a Maven build hand over their own classpath).
if [[ -n "${PARLEY_CP:-}" ]]; then
  return 0
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/engine/target/classpath.txt"
stale() {
  [[ ! -f "$cp_file" ]] && return 0
  [[ -n "$(find "$root" -path "$root/*/target" -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.conf' \) -newer "$cp_file" -print -quit 2>/dev/null)" ]]
}
if stale; then
  echo "parley: building (first start or sources changed)..." >&2
  (cd "$root" && mvn -B -q -Dstyle.color=never -pl engine -am package -DskipTests >&2) || { echo "parley: build failed" >&2; exit 1; }
  touch "$cp_file"
fi
PARLEY_CP="$root/engine/target/classes:$(cat "$cp_file")"
