/**
 * The {@code s3} destination: {@link dev.sluice.destinations.s3.S3DestinationProvider} is the only
 * public type; it is registered in {@code META-INF/services/dev.sluice.spi.DestinationProvider}.
 * Everything else lives in {@code internal} and may change without notice.
 */
package dev.sluice.destinations.s3;
