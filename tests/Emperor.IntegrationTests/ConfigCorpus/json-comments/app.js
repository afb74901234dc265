{
  // line comment
  "uwsgi": { /* block */ "a": 1 }
}
