// Package databases as real images carry them: stanzas of a Debian 12 (bookworm) dpkg status file, an
// Alpine 3.19 apk database, an npm v3 lockfile and a pip-installed METADATA file, with their real package
// names, versions, sources and field layout (long fields such as checksums and descriptions shortened).

export const DEBIAN_12_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

export const DEBIAN_12_DPKG_STATUS = `Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 341
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u5
Replaces: base, dpkg (<= 1.15.0), miscutils
Provides: base
Pre-Depends: awk
Breaks: debian-security-support (<< 2019.04.25), initscripts (<< 2.88dsf-13.3), sendfile (<< 2.1b.20080616-5.2~)
Conffiles:
 /etc/debian_version 5c0b1a4a4d4b5a0c8a8ad9b1e0c1f2b5
 /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6
 /etc/issue 5d8d2a9a2e0e0f4ea2a8b4bbd1d6e3f1
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files, such as /etc/debian_version,
 /etc/host.conf, /etc/issue, /etc/motd, /etc/profile, and others,
 and the text of several common licenses in use on Debian systems.

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Replaces: libc6-amd64
Depends: libgcc-s1
Recommends: libidn2-0 (>= 2.0.5~)
Suggests: glibc-doc, debconf | debconf-2.0, libc-l10n, locales, libnss-nis, libnss-nisplus
Breaks: aide (<< 0.17.3-4+b3), busybox (<< 1.30.1-6), chrony (<< 4.2-3~), fakechroot (<< 2.19-3.5), valgrind (<< 1:3.19.0-1~)
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system. This package includes shared versions of the standard C library
 and the standard math library, as well as many others.
Homepage: https://www.gnu.org/software/libc/libc.html

Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6200
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
 .
 It provides the libssl and libcrypto shared libraries.
Homepage: https://www.openssl.org/

Package: openssl
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 2287
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: foreign
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)
Suggests: ca-certificates
Conffiles:
 /etc/ssl/openssl.cnf 6b4ee0b8e1d8c5a5b2b0f1bde0e1c1a4
Description: Secure Sockets Layer toolkit - cryptographic utility
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
Homepage: https://www.openssl.org/

Package: libssl1.1
Status: deinstall ok config-files
Priority: optional
Section: libs
Installed-Size: 4116
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 1.1.1w-0+deb11u1
Conffiles:
 /etc/ssl/openssl.cnf obsolete
Description: Secure Sockets Layer toolkit - shared libraries

Package: zlib1g
Status: install ok installed
Priority: required
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz1
Depends: libc6 (>= 2.14)
Breaks: libxml2 (<< 2.7.6.dfsg-2), texlive-binaries (<< 2009-12)
Conflicts: zlib1 (<= 1:1.0.4-7)
Description: compression library - runtime
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.  This package includes the shared library.
Homepage: http://zlib.net/
`;

export const ALPINE_3_19_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

export const ALPINE_3_19_INSTALLED = `C:Q1hOh1tJ8Tq1pqyPmZxAsjWYmJ8DQ=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407592
I:651264
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1701859165
c:7ef6b8a4b3f1c9f4d6c2a4e4b1b1b3e6b9a5c6b1
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Xl4p0JPAc3yMOvRUDJRXc3bYlJg=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1ZB8Nq8ZsG3YWdhGIKcD4aWpJzw0=
P:busybox
V:1.36.1-r15
A:x86_64
S:519135
I:958464
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1701876045
c:3d6a0ab3f5f3e9a0c8a2b9b8c3a1d2e4f5a6b7c8
D:so:libc.musl-x86_64.so.1
p:cmd:busybox=1.36.1-r15
r:busybox-initscripts
F:bin
R:busybox
a:0:0:755
Z:Q1GkHW7CDXo3Kfn8KgqpGmrVqhLy8=

C:Q1q9Oc8dA1VxNlH3cbB1rRGjOtCb8=
P:libcrypto3
V:3.1.4-r5
A:x86_64
S:1747327
I:4288512
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1706008521
c:2c7b4cbbd1a2c3a0f9f4e5d6c7b8a9f0e1d2c3b4
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
a:0:0:755
Z:Q1v+Eo2nU7oeL1pSjz1mYKxs0ocJc=

C:Q1bqgI6PvTArfMMSzmxHpFGBAiQb0=
P:libssl3
V:3.1.4-r5
A:x86_64
S:357632
I:610304
T:SSL shared libraries
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1706008521
c:2c7b4cbbd1a2c3a0f9f4e5d6c7b8a9f0e1d2c3b4
D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3
p:so:libssl.so.3=3
F:lib
R:libssl.so.3
a:0:0:755
Z:Q1mXKrFsVd7h5U1e7wH8G6cFpAJxM=

`;

export const PACKAGE_LOCK_V3 = JSON.stringify(
  {
    name: 'orders-api',
    version: '1.4.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: 'orders-api',
        version: '1.4.0',
        dependencies: { lodash: '4.17.20', minimist: '1.2.5', '@types/node': '^20.0.0' },
        devDependencies: { jest: '^29.7.0' },
      },
      'node_modules/@types/node': {
        version: '20.11.5',
        resolved: 'https://registry.npmjs.org/@types/node/-/node-20.11.5.tgz',
        integrity: 'sha512-g557vgQjUUfN76MZAN/dt1z3dzcUsimuysco0KeluHgrPdJXkP/XdAURgyO2W9fZWHRtRBiVKzKn8vyOAwlG+w==',
        dependencies: { 'undici-types': '~5.26.4' },
      },
      'node_modules/jest': {
        version: '29.7.0',
        resolved: 'https://registry.npmjs.org/jest/-/jest-29.7.0.tgz',
        integrity: 'sha512-NIy3oAFp9shda19hy4HK0HRTWKtPJmGdnvywu01nOqNC2vZg+Z+fvJDxpMQA88eb2I9EcafcdjYgsDthnYTvGw==',
        dev: true,
      },
      'node_modules/lodash': {
        version: '4.17.20',
        resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz',
        integrity: 'sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA==',
      },
      'node_modules/minimist': {
        version: '1.2.5',
        resolved: 'https://registry.npmjs.org/minimist/-/minimist-1.2.5.tgz',
        integrity: 'sha512-FM9nNUYrRBAELZQT3xeZQ7fmMOBg6nWNmJKTcgsJeaLstP/UODVpGsr5OhXhhXg6f+qtJ8uiZ+PUxkDWcgIXLw==',
      },
      'node_modules/undici-types': {
        version: '5.26.5',
        resolved: 'https://registry.npmjs.org/undici-types/-/undici-types-5.26.5.tgz',
        integrity: 'sha512-JlCMO+ehdEIKqlFxk6IfVoAUVmgz7cU7zD/h9XZ0qzeosSHmUJVOzSQvvYSYWXkFXC+IfLKSIffhv0sVZup6pA==',
      },
    },
  },
  null,
  2,
);

export const URLLIB3_METADATA = `Metadata-Version: 2.1
Name: urllib3
Version: 1.26.5
Summary: HTTP library with thread-safe connection pooling, file post, and more.
Home-page: https://urllib3.readthedocs.io/
Author: Andrey Petrov
Author-email: andrey.petrov@shazow.net
License: MIT
Project-URL: Documentation, https://urllib3.readthedocs.io/
Project-URL: Code, https://github.com/urllib3/urllib3
Project-URL: Issue tracker, https://github.com/urllib3/urllib3/issues
Keywords: urllib httplib threadsafe filepost http https ssl pooling
Platform: UNKNOWN
Classifier: Environment :: Web Environment
Classifier: Intended Audience :: Developers
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, <4
Description-Content-Type: text/x-rst
Provides-Extra: brotli
Provides-Extra: secure
Provides-Extra: socks

urllib3 is a powerful, *user-friendly* HTTP client for Python.
Name: this-line-is-body-text-not-a-header
`;
