<?php
/**
 * Plugin Name:       privacy-bridge
 * Description:       Brings the shop's processors (payments, parcels, reviews, newsletters) into WordPress's own privacy tools: Tools › Export / Erase Personal Data ask privacy-bridge for their records and their erasure.
 * Version:           0.1.0
 * Requires at least: 5.3
 * Requires PHP:      7.4
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       privacy-bridge
 *
 * How it works: the exporter and the eraser registered below forward WordPress's page to the
 * bridge's HTTP service (privacy-bridge serve) and hand its answer back in WordPress's shape;
 * a request the customer confirms through WordPress's e-mail link is registered in the bridge,
 * verified by that confirmation. Settings › privacy-bridge takes the service's URL and token.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const PRIVACY_BRIDGE_URL_OPTION   = 'privacy_bridge_url';
const PRIVACY_BRIDGE_TOKEN_OPTION = 'privacy_bridge_token';
// Where the bridge's request id is kept on WordPress's own request (a `user_request` post).
const PRIVACY_BRIDGE_META = '_privacy_bridge_request_id';
// Page 1 collects from every system, which can take a while for a heavy customer.
const PRIVACY_BRIDGE_TIMEOUT = 120;

/* --- settings ------------------------------------------------------------------------------- */

add_action( 'admin_menu', 'privacy_bridge_menu' );
add_action( 'admin_init', 'privacy_bridge_register_settings' );

function privacy_bridge_menu() {
	add_options_page( 'privacy-bridge', 'privacy-bridge', 'manage_options', 'privacy-bridge', 'privacy_bridge_settings_page' );
}

function privacy_bridge_register_settings() {
	register_setting( 'privacy_bridge', PRIVACY_BRIDGE_URL_OPTION, array( 'type' => 'string', 'sanitize_callback' => 'privacy_bridge_clean_url' ) );
	register_setting( 'privacy_bridge', PRIVACY_BRIDGE_TOKEN_OPTION, array( 'type' => 'string', 'sanitize_callback' => 'privacy_bridge_clean_token' ) );
}

function privacy_bridge_clean_url( $value ) {
	return untrailingslashit( esc_url_raw( trim( (string) $value ), array( 'http', 'https' ) ) );
}

// An empty field keeps the stored token: the page never prints it back, so it is left empty.
function privacy_bridge_clean_token( $value ) {
	$value = trim( (string) $value );
	return '' === $value ? (string) get_option( PRIVACY_BRIDGE_TOKEN_OPTION, '' ) : $value;
}

function privacy_bridge_masked( $token ) {
	return '' === $token ? '' : substr( $token, 0, 4 ) . '…' . substr( $token, -4 );
}

function privacy_bridge_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$token = (string) get_option( PRIVACY_BRIDGE_TOKEN_OPTION, '' );
	?>
	<div class="wrap">
		<h1>privacy-bridge</h1>
		<p><?php echo esc_html__( 'The address of the privacy-bridge service and the token of this shop (privacy-bridge clients add NAME).', 'privacy-bridge' ); ?></p>
		<form method="post" action="options.php">
			<?php settings_fields( 'privacy_bridge' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="privacy_bridge_url"><?php echo esc_html__( 'Service URL', 'privacy-bridge' ); ?></label></th>
					<td><input name="<?php echo esc_attr( PRIVACY_BRIDGE_URL_OPTION ); ?>" id="privacy_bridge_url" type="url" class="regular-text" value="<?php echo esc_attr( (string) get_option( PRIVACY_BRIDGE_URL_OPTION, '' ) ); ?>" placeholder="https://bridge.example.nl"></td>
				</tr>
				<tr>
					<th scope="row"><label for="privacy_bridge_token"><?php echo esc_html__( 'Client token', 'privacy-bridge' ); ?></label></th>
					<td>
						<input name="<?php echo esc_attr( PRIVACY_BRIDGE_TOKEN_OPTION ); ?>" id="privacy_bridge_token" type="password" class="regular-text" value="" autocomplete="off" placeholder="pbt_…">
						<p class="description">
							<?php
							echo '' === $token
								? esc_html__( 'No token is stored.', 'privacy-bridge' )
								: esc_html( sprintf( __( 'Stored: %s. Leave empty to keep it.', 'privacy-bridge' ), privacy_bridge_masked( $token ) ) );
							?>
						</p>
					</td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
	</div>
	<?php
}

/* --- the bridge's HTTP service --------------------------------------------------------------- */

/**
 * One call to the service: the decoded JSON answer, or a WP_Error whose message names what went
 * wrong (never the token; the address is never in the bridge's answers).
 */
function privacy_bridge_call( $method, $path, $body = null ) {
	$url   = (string) get_option( PRIVACY_BRIDGE_URL_OPTION, '' );
	$token = (string) get_option( PRIVACY_BRIDGE_TOKEN_OPTION, '' );
	if ( '' === $url || '' === $token ) {
		return new WP_Error( 'privacy_bridge_settings', __( 'privacy-bridge is not set up: enter its URL and token under Settings › privacy-bridge.', 'privacy-bridge' ) );
	}
	$args = array(
		'method'  => $method,
		'timeout' => PRIVACY_BRIDGE_TIMEOUT,
		'headers' => array(
			'Authorization' => 'Bearer ' . $token,
			'Accept'        => 'application/json',
		),
	);
	if ( null !== $body ) {
		$args['headers']['Content-Type'] = 'application/json';
		$args['body']                    = wp_json_encode( $body );
	}
	$response = 'GET' === $method ? wp_remote_get( $url . $path, $args ) : wp_remote_post( $url . $path, $args );
	if ( is_wp_error( $response ) ) {
		return new WP_Error( 'privacy_bridge_unreachable', sprintf( __( 'privacy-bridge cannot be reached: %s', 'privacy-bridge' ), $response->get_error_message() ) );
	}
	$status  = (int) wp_remote_retrieve_response_code( $response );
	$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
	if ( $status < 200 || $status >= 300 || ! is_array( $decoded ) ) {
		$detail = is_array( $decoded ) && isset( $decoded['detail'] ) ? (string) $decoded['detail'] : __( 'no answer it understands', 'privacy-bridge' );
		return new WP_Error( 'privacy_bridge_refused', sprintf( __( 'privacy-bridge answered %1$d: %2$s', 'privacy-bridge' ), $status, $detail ) );
	}
	return $decoded;
}

function privacy_bridge_language() {
	return 0 === strpos( get_locale(), 'nl' ) ? 'nl' : 'en';
}

/**
 * The bridge's id of WordPress's request `$request_id`: registered (verified by WordPress's
 * confirmation) the first time it is needed, kept on the request afterwards.
 */
function privacy_bridge_request( $request_id ) {
	$request = wp_get_user_request( $request_id );
	if ( ! $request ) {
		return new WP_Error( 'privacy_bridge_request', __( 'No such privacy request.', 'privacy-bridge' ) );
	}
	$known = get_post_meta( $request->ID, PRIVACY_BRIDGE_META, true );
	if ( is_string( $known ) && '' !== $known ) {
		return $known;
	}
	if ( 'request-confirmed' !== $request->status && 'request-completed' !== $request->status ) {
		return new WP_Error( 'privacy_bridge_unconfirmed', __( 'The request is not confirmed yet.', 'privacy-bridge' ) );
	}
	$types = array(
		'export_personal_data' => 'access',
		'remove_personal_data' => 'erasure',
	);
	if ( ! isset( $types[ $request->action_name ] ) ) {
		return new WP_Error( 'privacy_bridge_request', __( 'Not a request privacy-bridge answers.', 'privacy-bridge' ) );
	}
	$answer = privacy_bridge_call(
		'POST',
		'/v1/requests/verified',
		array(
			'type'        => $types[ $request->action_name ],
			'email'       => $request->email,
			'received'    => gmdate( 'Y-m-d', (int) $request->created_timestamp ),
			'channel'     => 'web',
			'reference'   => 'wp-' . $request->ID,
			'verified_by' => 'wordpress',
		)
	);
	if ( is_wp_error( $answer ) ) {
		return $answer;
	}
	update_post_meta( $request->ID, PRIVACY_BRIDGE_META, (string) $answer['id'] );
	return (string) $answer['id'];
}

// The customer clicked WordPress's confirmation link: register the request in the bridge now,
// so that its legal due date runs from the confirmation. A failure is kept for the exporter or
// eraser to try again; the customer's page must not break.
add_action( 'user_request_action_confirmed', 'privacy_bridge_confirmed', 20 );

function privacy_bridge_confirmed( $request_id ) {
	$found = privacy_bridge_request( (int) $request_id );
	if ( is_wp_error( $found ) ) {
		error_log( 'privacy-bridge: the confirmed request was not registered: ' . $found->get_error_code() );
	}
}

/**
 * WordPress's request being processed: the AJAX call names it (`id`), the exporter and eraser
 * callbacks are given only the address and the page.
 */
function privacy_bridge_current_request( $email_address ) {
	// phpcs:ignore WordPress.Security.NonceVerification -- core checked the nonce of this call.
	$request_id = isset( $_POST['id'] ) ? (int) $_POST['id'] : 0;
	$request    = $request_id ? wp_get_user_request( $request_id ) : false;
	if ( ! $request || strtolower( $request->email ) !== strtolower( $email_address ) ) {
		return new WP_Error( 'privacy_bridge_request', __( 'privacy-bridge answers only WordPress privacy requests (Tools › Export / Erase Personal Data).', 'privacy-bridge' ) );
	}
	return privacy_bridge_request( $request->ID );
}

/* --- the exporter and the eraser ------------------------------------------------------------- */

add_filter( 'wp_privacy_personal_data_exporters', 'privacy_bridge_register_exporter' );
add_filter( 'wp_privacy_personal_data_erasers', 'privacy_bridge_register_eraser' );

function privacy_bridge_register_exporter( $exporters ) {
	$exporters['privacy-bridge'] = array(
		'exporter_friendly_name' => __( 'The shop\'s processors (privacy-bridge)', 'privacy-bridge' ),
		'callback'               => 'privacy_bridge_export',
	);
	return $exporters;
}

function privacy_bridge_register_eraser( $erasers ) {
	$erasers['privacy-bridge'] = array(
		'eraser_friendly_name' => __( 'The shop\'s processors (privacy-bridge)', 'privacy-bridge' ),
		'callback'             => 'privacy_bridge_erase',
	);
	return $erasers;
}

function privacy_bridge_export( $email_address, $page = 1 ) {
	$bridge_id = privacy_bridge_current_request( $email_address );
	if ( is_wp_error( $bridge_id ) ) {
		return $bridge_id; // core shows the message and stops the export
	}
	$path   = sprintf( '/v1/requests/%s/export?page=%d&lang=%s', rawurlencode( $bridge_id ), max( 1, (int) $page ), privacy_bridge_language() );
	$answer = privacy_bridge_call( 'GET', $path );
	if ( is_wp_error( $answer ) ) {
		return $answer;
	}
	$items = array();
	foreach ( (array) $answer['data'] as $item ) {
		$items[] = array(
			'group_id'          => (string) $item['group_id'],
			'group_label'       => (string) $item['group_label'],
			'group_description' => (string) $item['group_description'],
			'item_id'           => (string) $item['item_id'],
			'data'              => array_map(
				function ( $field ) {
					return array(
						'name'  => (string) $field['name'],
						'value' => (string) $field['value'],
					);
				},
				(array) $item['data']
			),
		);
	}
	return array(
		'data' => $items,
		'done' => (bool) $answer['done'],
	);
}

function privacy_bridge_erase( $email_address, $page = 1 ) {
	$bridge_id = privacy_bridge_current_request( $email_address );
	if ( is_wp_error( $bridge_id ) ) {
		return $bridge_id;
	}
	$path   = sprintf( '/v1/requests/%s/erase?page=%d&lang=%s', rawurlencode( $bridge_id ), max( 1, (int) $page ), privacy_bridge_language() );
	$answer = privacy_bridge_call( 'POST', $path );
	if ( is_wp_error( $answer ) ) {
		return $answer;
	}
	return array(
		'items_removed'  => (bool) $answer['items_removed'],
		'items_retained' => (bool) $answer['items_retained'],
		'messages'       => array_map( 'strval', (array) $answer['messages'] ),
		'done'           => (bool) $answer['done'],
	);
}
