// Package table asks the API server for objects as a metav1.Table (the
// Accept header "application/json;as=Table;g=meta.k8s.io;v=v1"): the
// columns kubectl prints, computed by the server, for any resource. For
// built-in resources they are the server's own printers' (READY, STATUS,
// RESTARTS, AGE for pods); for a CRD, its additionalPrinterColumns, or NAME
// and AGE when it declares none. Printer renders a Table the way kubectl
// get does.
package table
