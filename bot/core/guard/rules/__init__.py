"""One module per content rule, named after it. Each is a pure function (or a small bounded state
object for the rules that remember: repeats, flooding) that turns a message into findings."""
