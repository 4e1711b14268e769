#!/bin/sh
# Installs the CPU build of PyTorch that the measurement tests use
# (profiler/worker, internal/profilecmd TestEndToEndTorch). Debian 12's
# python3-torch (torch 1.13, CPU) lands in /usr/bin/python3, which the worker
# finds even when another python3 is first on PATH. About 1 minute.
# Without it those tests skip with a message saying so.
set -eu
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	echo "torch already installed for /usr/bin/python3"
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-torch >/dev/null
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'
