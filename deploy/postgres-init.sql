-- One database per service: no service reads another's tables.
CREATE DATABASE customers;
CREATE DATABASE invoicing;
CREATE DATABASE payments;
CREATE DATABASE collections;
CREATE DATABASE credit;
