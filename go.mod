module github.com/scopekv/scope

go 1.26
