// placeholder until the CLI skeleton lands in this commit series
console.log("stint");
