#!/bin/sh
# Entry point of the draaibot image. On the first start the data volume has no knowledge
# folder yet: copy the knowledge shipped in the image there (staff edit it in the volume while
# the bot runs). A knowledge folder that exists is never touched. Then run the command.
set -eu

shipped="${DRAAIBOT_SHIPPED_KNOWLEDGE:-/app/knowledge}"
live="${DRAAIBOT_KNOWLEDGE:-/data/knowledge}"

if [ ! -e "$live" ] && [ ! -L "$live" ]; then
    mkdir -p "$(dirname "$live")"
    partial="$(mktemp -d "$live.kopie.XXXXXX")"
    cp -R "$shipped/." "$partial"
    chmod 755 "$partial"
    # -T: never move into a folder that appeared meanwhile; a half copy is never "there"
    mv -T "$partial" "$live"
    echo "draaibot: kennismap $live aangemaakt uit de meegeleverde kennis" >&2
fi

exec "$@"
