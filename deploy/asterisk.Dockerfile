# syntax=docker/dockerfile:1
# Asterisk 22 from Debian sid (Debian 12 has no asterisk package), with the
# configuration generated from config/site.yaml.
#
# Before building, generate the configuration on the host (deploy/README.md):
#   set -a; . ./.env; set +a          # KCC_AMI_SECRET must match the controller's
#   kcc gen-asterisk --site config/site.yaml      # writes build/asterisk/etc
# The generated manager.conf holds the AMI secret, so this image does too:
# never push it to a shared registry.
FROM debian:sid-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        asterisk asterisk-modules asterisk-core-sounds-en-gsm ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Group 10023 = the kcc user of deploy/app.Dockerfile: the controller reads and prunes
# the recordings Asterisk writes.
RUN groupadd --gid 10023 kcc \
    && usermod --append --groups kcc asterisk \
    && install -d -o asterisk -g kcc -m 2770 /var/lib/kcc /var/lib/kcc/recordings \
    && install -d -o asterisk -g asterisk /var/lib/asterisk/moh \
        /var/run/asterisk /var/log/asterisk /var/spool/asterisk

COPY --chown=root:asterisk build/asterisk/etc/ /etc/asterisk/
RUN chmod 0750 /etc/asterisk && chmod 0640 /etc/asterisk/*

CMD ["asterisk", "-f", "-U", "asterisk", "-G", "asterisk"]
