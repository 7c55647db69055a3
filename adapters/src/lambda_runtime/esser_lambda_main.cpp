// esser-lambda: a Lambda custom runtime bootstrap (see
// esser/adapters/lambda_runtime/esser_lambda.hpp).
#include "esser/adapters/lambda_runtime/esser_lambda.hpp"

int main(int argc, char** argv) {
    return esser::adapters::esser_lambda_main(argc, argv);
}
