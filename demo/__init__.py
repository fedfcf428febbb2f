"""Demo data for trying Doorstep: realistic offices, staff, persons, petitions, hearings,
agreements and aid for the Golog offices. Not part of the shipped application (build.spec leaves
it out); ``python -m demo --data-dir DIR`` fills an empty data folder."""
