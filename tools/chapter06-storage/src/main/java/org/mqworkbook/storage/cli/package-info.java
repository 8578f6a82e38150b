/**
 * Chapter 6's command line, {@link org.mqworkbook.storage.cli.StorageCli}: {@code server} starts the durable
 * broker; the client commands are chapter 5's, because the protocol did not change. Given code, not an
 * exercise; every chapter's command line lives in its {@code cli} package.
 */
package org.mqworkbook.storage.cli;
