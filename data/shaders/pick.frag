#version 330 core
// Picking: every fragment of a mesh writes the mesh's handle into an
// unsigned integer target; 0 is left where nothing was drawn.

uniform uint u_id;

out uint frag_id;

void
main ()
{
  frag_id = u_id;
}
