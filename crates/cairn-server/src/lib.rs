//! `cairn ui`: placeholder, filled in the next commit.
