package io.lakemesh.contracts.validate;

/**
 * Where a value sits in an event ({@code items[2].qty}), spelled out only when a finding names it: building the
 * text for every member of every valid event cost more than some of the checks.
 */
final class FieldPath {
  static final FieldPath ROOT = new FieldPath(null, null, -1);

  private final FieldPath parent;
  private final String member;
  private final int index;

  private FieldPath(FieldPath parent, String member, int index) {
    this.parent = parent;
    this.member = member;
    this.index = index;
  }

  FieldPath member(String name) {
    return new FieldPath(this, name, -1);
  }

  FieldPath index(int i) {
    return new FieldPath(this, null, i);
  }

  @Override
  public String toString() {
    if (parent == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    append(b);
    return b.toString();
  }

  private void append(StringBuilder b) {
    if (parent == null) {
      return;
    }
    parent.append(b);
    if (member != null) {
      if (b.length() > 0) {
        b.append('.');
      }
      b.append(member);
    } else {
      b.append('[').append(index).append(']');
    }
  }
}
