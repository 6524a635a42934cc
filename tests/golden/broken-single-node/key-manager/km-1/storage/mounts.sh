#!/bin/sh
# Mounts the shared storage and links each shared artifact directory (ISDG: symlinks, not
# mounts onto the product path). Run as root on km-1 with WSO2_OB_KM_HOME set.
set -eu
: "${WSO2_OB_KM_HOME:?set WSO2_OB_KM_HOME to the Key Manager home}"
echo 'no shared storage is linked to this node in the design: nothing to mount' >&2
exit 1
