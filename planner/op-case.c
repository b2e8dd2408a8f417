/* Implemented by the store work: state machine and role rules. */
