#!/bin/sh
# Stands in for journalctl in tst_tailer: this container runs no journald
# (/run/systemd/journal does not exist) and has no systemd-journal-remote to
# write a journal file for `journalctl --directory`, so the journal source is
# tested against recorded `journalctl -o json` output instead (fixture
# journal.jsonl). Like journalctl, it honours --after-cursor=CURSOR (prints
# only the entries after that cursor), then follows (-f) by waiting.
printf '%s\n' "$@" > "$FAKE_JOURNALCTL_ARGS"
cursor=""
for arg in "$@"; do
    case "$arg" in
        --after-cursor=*) cursor="${arg#--after-cursor=}" ;;
    esac
done
if [ -n "$cursor" ]; then
    awk -v c="\"__CURSOR\":\"$cursor\"" 'found { print } index($0, c) { found = 1 }' "$FAKE_JOURNALCTL_FIXTURE"
else
    cat "$FAKE_JOURNALCTL_FIXTURE"
fi
if [ -n "${FAKE_JOURNALCTL_FAIL:-}" ]; then
    echo "$FAKE_JOURNALCTL_FAIL" >&2
    exit 1
fi
exec sleep 3600
