/**
 * The client side of the Qubes Admin API: {@link org.qubicle.api.client.AdminClient}
 * makes calls over the daemon's socket, {@link org.qubicle.api.client.EventStream} reads
 * {@code admin.Events}, and small records parse the answers our tools need.
 */
package org.qubicle.api.client;
