package dev.weir.operator;

/**
 * Entry point of the operator image. The StreamingJob reconciler is not built yet; until it is, the
 * jar states its version and says so instead of pretending to reconcile.
 */
public final class WeirOperator {
  private WeirOperator() {}

  public static void main(String[] args) {
    String version = WeirOperator.class.getPackage().getImplementationVersion();
    System.out.println("weir-operator " + (version == null ? "dev" : version));
    System.out.println("The StreamingJob reconciler is not implemented yet.");
  }
}
