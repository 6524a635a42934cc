#!/bin/sh
# Mounts the shared storage and links each shared artifact directory (ISDG: symlinks, not
# mounts onto the product path). Run as root on km-1 with WSO2_OB_KM_HOME set.
set -eu
: "${WSO2_OB_KM_HOME:?set WSO2_OB_KM_HOME to the Key Manager home}"
MOUNT_POINT='/mnt/obkm-shared'
mkdir -p "$MOUNT_POINT"
if ! mountpoint -q "$MOUNT_POINT"; then
  mount -t 'nfs' -o 'nfsvers=4,hard,_netdev' 'nfs.bank.internal:/exports/obkm' "$MOUNT_POINT"
fi
mkdir -p "$MOUNT_POINT"/'userstores'
if [ -d "$WSO2_OB_KM_HOME"/'repository/deployment/server/userstores' ] && [ ! -L "$WSO2_OB_KM_HOME"/'repository/deployment/server/userstores' ]; then
  cp -a "$WSO2_OB_KM_HOME"/'repository/deployment/server/userstores'/. "$MOUNT_POINT"/'userstores'/ && mv "$WSO2_OB_KM_HOME"/'repository/deployment/server/userstores' "$WSO2_OB_KM_HOME"/'repository/deployment/server/userstores'.local
fi
ln -sfn "$MOUNT_POINT"/'userstores' "$WSO2_OB_KM_HOME"/'repository/deployment/server/userstores'
mkdir -p "$MOUNT_POINT"/'eventpublishers'
if [ -d "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventpublishers' ] && [ ! -L "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventpublishers' ]; then
  cp -a "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventpublishers'/. "$MOUNT_POINT"/'eventpublishers'/ && mv "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventpublishers' "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventpublishers'.local
fi
ln -sfn "$MOUNT_POINT"/'eventpublishers' "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventpublishers'
mkdir -p "$MOUNT_POINT"/'eventstreams'
if [ -d "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventstreams' ] && [ ! -L "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventstreams' ]; then
  cp -a "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventstreams'/. "$MOUNT_POINT"/'eventstreams'/ && mv "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventstreams' "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventstreams'.local
fi
ln -sfn "$MOUNT_POINT"/'eventstreams' "$WSO2_OB_KM_HOME"/'repository/deployment/server/eventstreams'
mkdir -p "$MOUNT_POINT"/'humantasks'
if [ -d "$WSO2_OB_KM_HOME"/'repository/deployment/server/humantasks' ] && [ ! -L "$WSO2_OB_KM_HOME"/'repository/deployment/server/humantasks' ]; then
  cp -a "$WSO2_OB_KM_HOME"/'repository/deployment/server/humantasks'/. "$MOUNT_POINT"/'humantasks'/ && mv "$WSO2_OB_KM_HOME"/'repository/deployment/server/humantasks' "$WSO2_OB_KM_HOME"/'repository/deployment/server/humantasks'.local
fi
ln -sfn "$MOUNT_POINT"/'humantasks' "$WSO2_OB_KM_HOME"/'repository/deployment/server/humantasks'
mkdir -p "$MOUNT_POINT"/'bpel'
if [ -d "$WSO2_OB_KM_HOME"/'repository/deployment/server/bpel' ] && [ ! -L "$WSO2_OB_KM_HOME"/'repository/deployment/server/bpel' ]; then
  cp -a "$WSO2_OB_KM_HOME"/'repository/deployment/server/bpel'/. "$MOUNT_POINT"/'bpel'/ && mv "$WSO2_OB_KM_HOME"/'repository/deployment/server/bpel' "$WSO2_OB_KM_HOME"/'repository/deployment/server/bpel'.local
fi
ln -sfn "$MOUNT_POINT"/'bpel' "$WSO2_OB_KM_HOME"/'repository/deployment/server/bpel'
echo 'shared artifact directories linked'
