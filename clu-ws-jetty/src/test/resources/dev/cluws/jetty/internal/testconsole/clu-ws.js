export const name = "test client";
