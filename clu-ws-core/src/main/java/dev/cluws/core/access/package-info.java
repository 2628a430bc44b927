/**
 * Access policies: {@link dev.cluws.core.access.RoleBasedAccessPolicy}, command permissions and
 * reply visibility per role, deny by default. Pure logic: the transport authenticates a client and
 * the gateway asks the policy through {@link dev.cluws.core.access.AccessPolicy}.
 */
package dev.cluws.core.access;
