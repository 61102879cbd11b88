#!/bin/sh
# Prepare this (Debian 12) machine for tests/test_wordpress.py: Debian's WordPress, MariaDB and
# PHP's command line, a database and user for the test site, and WordPress's configuration for a
# site on 127.0.0.1. Run as root; idempotent (a second run changes nothing and takes seconds).
set -eu

PACKAGES="wordpress mariadb-server php-cli php-mysql php-curl php-zip"
DB=privacy_bridge_wp
DB_USER=privacy_bridge_wp
# A password for a database on loopback that holds only the test's throwaway site.
DB_PASSWORD=privacy-bridge-test

missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    # No recommends: Apache and the themes are not needed, the test serves with PHP's own server.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# A container has no init system running: start MariaDB by its init script when it is down.
if ! mariadb-admin ping >/dev/null 2>&1; then
    service mariadb start >/dev/null
fi

mariadb <<SQL
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$DB_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

# Debian's wp-config.php reads /etc/wordpress/config-<host>.php; the test's site is 127.0.0.1.
# Its content directory (plugins, uploads) is the test's own, given in the environment.
cat > /etc/wordpress/config-127.0.0.1.php <<PHP
<?php
// Written by privacy-bridge's integrations/wordpress/ci-setup.sh for tests/test_wordpress.py.
define('DB_NAME', getenv('PRIVACY_BRIDGE_WP_DB') ?: '$DB');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', 'localhost');
define('WP_CONTENT_DIR', getenv('PRIVACY_BRIDGE_WP_CONTENT') ?: '/var/lib/wordpress/wp-content');
define('FS_METHOD', 'direct');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
PHP
chmod 0644 /etc/wordpress/config-127.0.0.1.php
echo "WordPress test prerequisites ready"
