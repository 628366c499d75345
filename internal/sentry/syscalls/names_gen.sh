#!/bin/sh
# Regenerates names.go from the installed Linux UAPI headers.
set -e
h=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
{
	echo "// Code generated from Linux's asm/unistd_64.h by the script in names_gen.sh; DO NOT EDIT."
	echo
	echo 'package syscalls'
	echo
	echo '// names are the x86-64 system call names by number (Linux 6.1 headers;'
	echo '// later numbers are added by hand in names_extra.go).'
	echo 'var names = map[uintptr]string{'
	grep '#define __NR_' "$h" | awk '{sub("__NR_","",$2); printf "\t%s: \"%s\",\n", $3, $2}'
	echo '}'
} > names.go
gofmt -w names.go
