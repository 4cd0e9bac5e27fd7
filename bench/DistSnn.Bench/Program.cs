using DistSnn.Bench;

return BenchCommand.Run(args);
